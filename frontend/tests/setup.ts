// Runs before every test file: unmount what a test rendered and reset the URL, so tests never see each
// other's DOM or route.
import { cleanup } from "@testing-library/react";
import { afterEach } from "vitest";

afterEach(() => {
  cleanup();
  window.history.replaceState(null, "", "/");
});

// jsdom has no layout: navigation's scroll to the top would only print "Not implemented".
window.scrollTo = () => undefined;
