// A QR code drawn in the browser from a text (the otpauth:// URI of a 2FA setup), as one SVG path: nothing
// leaves the page, and no inline style is needed (the CSP forbids them).
import { encode } from "uqr";

/** The dark modules as an SVG path of 1x1 squares, runs of a row merged; `border` modules of quiet zone. */
export function qrPath(text: string, border = 4): { size: number; d: string } {
  const qr = encode(text, { ecc: "M", border: 0 });
  const parts: string[] = [];
  qr.data.forEach((row, y) => {
    for (let x = 0; x < row.length; x++) {
      if (!row[x]) continue;
      let run = 1;
      while (x + run < row.length && row[x + run]) run++;
      parts.push(`M${x + border} ${y + border}h${run}v1h-${run}z`);
      x += run - 1;
    }
  });
  return { size: qr.size + 2 * border, d: parts.join("") };
}

export function QrCode({ text, label }: { text: string; label: string }) {
  const { size, d } = qrPath(text);
  return (
    <svg className="qr" viewBox={`0 0 ${size} ${size}`} role="img" aria-label={label} data-testid="qr-code" shapeRendering="crispEdges">
      <rect width={size} height={size} fill="#fff" />
      <path d={d} fill="#000" />
    </svg>
  );
}
