// Runs before every test file: unmount what a test rendered and reset the URL, so tests never see each
// other's DOM or route.
import { cleanup, configure } from "@testing-library/react";
import { afterEach } from "vitest";

afterEach(() => {
  cleanup();
  window.history.replaceState(null, "", "/");
});

// jsdom has no layout: navigation's scroll to the top would only print "Not implemented".
window.scrollTo = () => undefined;

// findBy*/waitFor give up after 1 s by default: too short on a shared, loaded machine (a deadline, not a pause).
configure({ asyncUtilTimeout: 10_000 });
