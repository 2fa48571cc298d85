/**
 * Line charts as standalone SVG (no dependency): training curves and the like.
 *
 * @module
 */

/** One line of a chart. */
export interface Series {
  /** Legend label. */
  name: string;
  /** Points `[x, y]`, in x order. */
  points: [number, number][];
  /** Draw dashed. */
  dashed?: boolean;
}

/** A chart. */
export interface LineChart {
  /** Title above the plot. */
  title: string;
  /** X axis label. */
  xLabel: string;
  /** Y axis label. */
  yLabel: string;
  /** The lines. */
  series: Series[];
  /** Horizontal reference lines, e.g. a loss threshold. */
  hlines?: { y: number; label: string }[];
  /** Width in pixels (default 720). */
  width?: number;
  /** Height in pixels (default 440). */
  height?: number;
}

const COLORS = [
  "#1f77b4",
  "#d62728",
  "#2ca02c",
  "#ff7f0e",
  "#9467bd",
  "#8c564b",
  "#e377c2",
  "#7f7f7f",
];

function niceTicks(lo: number, hi: number, n = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / n;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? raw;
  const out: number[] = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + 1e-9 * step; t += step) {
    out.push(Number(t.toPrecision(12)));
  }
  return out;
}

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/**
 * Render a line chart to an SVG document.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { lineChartSvg } from "@cohesive/shared";
 * const svg = lineChartSvg({ title: "loss", xLabel: "step", yLabel: "loss",
 *   series: [{ name: "a", points: [[0, 3], [10, 2]] }] });
 * assert.ok(svg.startsWith("<svg") && svg.includes("loss"));
 * ```
 */
export function lineChartSvg(c: LineChart): string {
  const W = c.width ?? 720, H = c.height ?? 440;
  const m = { l: 64, r: 170, t: 36, b: 48 };
  const pts = c.series.flatMap((s) => s.points).filter(([x, y]) =>
    Number.isFinite(x) && Number.isFinite(y)
  );
  const ys = [...pts.map((p) => p[1]), ...(c.hlines ?? []).map((h) => h.y)];
  const xs = pts.map((p) => p[0]);
  const x0 = Math.min(...xs, 0);
  let x1 = Math.max(...xs, 1);
  let y0 = Math.min(...ys), y1 = Math.max(...ys);
  if (!Number.isFinite(y0)) [y0, y1] = [0, 1];
  if (y1 - y0 < 1e-9) [y0, y1] = [y0 - 0.5, y1 + 0.5];
  const pad = (y1 - y0) * 0.05;
  y0 -= pad;
  y1 += pad;
  if (x1 === x0) x1 = x0 + 1;
  const X = (x: number) => m.l + ((x - x0) / (x1 - x0)) * (W - m.l - m.r);
  const Y = (y: number) => H - m.b - ((y - y0) / (y1 - y0)) * (H - m.t - m.b);
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${W / 2 - m.r / 2}" y="20" text-anchor="middle" font-size="14">${
      esc(c.title)
    }</text>`,
  );
  for (const t of niceTicks(y0, y1)) {
    out.push(
      `<line x1="${m.l}" x2="${W - m.r}" y1="${Y(t)}" y2="${Y(t)}" stroke="#eee"/>`,
      `<text x="${m.l - 6}" y="${Y(t) + 4}" text-anchor="end">${t}</text>`,
    );
  }
  for (const t of niceTicks(x0, x1)) {
    out.push(
      `<line x1="${X(t)}" x2="${X(t)}" y1="${m.t}" y2="${H - m.b}" stroke="#f4f4f4"/>`,
      `<text x="${X(t)}" y="${H - m.b + 16}" text-anchor="middle">${t}</text>`,
    );
  }
  out.push(
    `<rect x="${m.l}" y="${m.t}" width="${W - m.l - m.r}" height="${
      H - m.t - m.b
    }" fill="none" stroke="#333"/>`,
    `<text x="${(m.l + W - m.r) / 2}" y="${H - 10}" text-anchor="middle">${esc(c.xLabel)}</text>`,
    `<text transform="translate(16 ${(m.t + H - m.b) / 2}) rotate(-90)" text-anchor="middle">${
      esc(c.yLabel)
    }</text>`,
  );
  for (const h of c.hlines ?? []) {
    out.push(
      `<line x1="${m.l}" x2="${W - m.r}" y1="${Y(h.y)}" y2="${
        Y(h.y)
      }" stroke="#555" stroke-dasharray="2 3"/>`,
      `<text x="${W - m.r - 4}" y="${Y(h.y) - 4}" text-anchor="end" fill="#555">${
        esc(h.label)
      }</text>`,
    );
  }
  c.series.forEach((s, i) => {
    const color = COLORS[i % COLORS.length];
    const d = s.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y))
      .map(([x, y], j) => `${j ? "L" : "M"}${X(x).toFixed(1)},${Y(y).toFixed(1)}`).join("");
    out.push(
      `<path d="${d}" fill="none" stroke="${color}" stroke-width="2"${
        s.dashed ? ' stroke-dasharray="6 4"' : ""
      }/>`,
      `<line x1="${W - m.r + 12}" x2="${W - m.r + 36}" y1="${m.t + 10 + 18 * i}" y2="${
        m.t + 10 + 18 * i
      }" stroke="${color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ""}/>`,
      `<text x="${W - m.r + 42}" y="${m.t + 14 + 18 * i}">${esc(s.name)}</text>`,
    );
  });
  out.push("</svg>");
  return out.join("\n") + "\n";
}
