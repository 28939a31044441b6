/** An SVG of latency distributions (empirical CDFs on a log time axis), written without any dependency. */

/** One distribution to draw. */
export interface PlotSeries {
  label: string;
  color: string;
  dashed?: boolean;
  values: readonly number[];
}

/** One panel (its own axes). */
export interface PlotPanel {
  title: string;
  series: readonly PlotSeries[];
}

const WIDTH = 560;
const PLOT_HEIGHT = 360;
const LEGEND_ROW = 15;
const MARGIN = { left: 56, right: 16, top: 34, bottom: 46 };

/**
 * Panels side by side; in each, one step line per series: x = latency (ms, log scale), y = share
 * of samples at or below it. A curve further left is faster; its right end is the worst sample.
 */
export function renderCdfSvg(title: string, panels: readonly PlotPanel[], caption: string): string {
  const all = panels.flatMap((p) => p.series.flatMap((s) => s.values)).filter((v) => v > 0 && Number.isFinite(v));
  const lo = 10 ** Math.floor(Math.log10(Math.max(0.01, Math.min(...all))));
  const hi = 10 ** Math.ceil(Math.log10(Math.max(...all)));
  const plotW = WIDTH - MARGIN.left - MARGIN.right;
  const plotH = PLOT_HEIGHT - MARGIN.top - MARGIN.bottom;
  // The legend sits under each panel, in two columns, so it never hides a curve.
  const legendRows = Math.max(...panels.map((p) => Math.ceil(p.series.length / 2)));
  const height = PLOT_HEIGHT + legendRows * LEGEND_ROW + 10;
  const x = (v: number): number =>
    MARGIN.left + ((Math.log10(Math.max(v, lo)) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo))) * plotW;
  const y = (share: number): number => MARGIN.top + (1 - share) * plotH;
  const parts: string[] = [];
  const totalW = WIDTH * panels.length;
  const totalH = height + 40;
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${totalW}" height="${totalH}" viewBox="0 0 ${totalW} ${totalH}" font-family="Helvetica, Arial, sans-serif" font-size="11">`,
  );
  parts.push(`<rect width="100%" height="100%" fill="white"/>`);
  parts.push(
    `<text x="${totalW / 2}" y="18" text-anchor="middle" font-size="14" font-weight="bold">${escapeXml(title)}</text>`,
  );
  panels.forEach((panel, index) => {
    parts.push(`<g transform="translate(${index * WIDTH},16)">`);
    parts.push(
      `<text x="${MARGIN.left + plotW / 2}" y="${MARGIN.top - 12}" text-anchor="middle" font-size="12" font-weight="bold">${escapeXml(panel.title)}</text>`,
    );
    for (let decade = lo; decade <= hi * 1.0001; decade *= 10) {
      for (const m of [1, 2, 5]) {
        const v = decade * m;
        if (v > hi * 1.0001) continue;
        parts.push(
          `<line x1="${x(v)}" x2="${x(v)}" y1="${MARGIN.top}" y2="${MARGIN.top + plotH}" stroke="${m === 1 ? "#bbb" : "#e6e6e6"}"/>`,
        );
        if (m === 1 || m === 5)
          parts.push(`<text x="${x(v)}" y="${MARGIN.top + plotH + 14}" text-anchor="middle">${formatTick(v)}</text>`);
      }
    }
    for (const share of [0, 0.25, 0.5, 0.75, 0.9, 0.99]) {
      parts.push(
        `<line x1="${MARGIN.left}" x2="${MARGIN.left + plotW}" y1="${y(share)}" y2="${y(share)}" stroke="${share === 0.5 || share === 0.99 ? "#999" : "#e6e6e6"}"${share === 0.99 ? ' stroke-dasharray="2,3"' : ""}/>`,
      );
      parts.push(
        `<text x="${MARGIN.left - 6}" y="${y(share) + 4}" text-anchor="end">${share === 0.99 ? "p99" : share === 0.5 ? "p50" : share.toFixed(2)}</text>`,
      );
    }
    parts.push(
      `<rect x="${MARGIN.left}" y="${MARGIN.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#333"/>`,
    );
    parts.push(
      `<text x="${MARGIN.left + plotW / 2}" y="${MARGIN.top + plotH + 32}" text-anchor="middle">latency, ms (log scale)</text>`,
    );
    panel.series.forEach((series, i) => {
      const sorted = [...series.values].filter(Number.isFinite).sort((a, b) => a - b);
      if (sorted.length === 0) return;
      let d = `M${x(sorted[0]!).toFixed(1)},${y(0).toFixed(1)}`;
      sorted.forEach((v, k) => {
        d += ` L${x(v).toFixed(1)},${y(k / sorted.length).toFixed(1)} L${x(v).toFixed(1)},${y((k + 1) / sorted.length).toFixed(1)}`;
      });
      parts.push(
        `<path d="${d}" fill="none" stroke="${series.color}" stroke-width="1.6"${series.dashed ? ' stroke-dasharray="5,3"' : ""}/>`,
      );
      const ly = PLOT_HEIGHT + Math.floor(i / 2) * LEGEND_ROW - 4;
      const lx = MARGIN.left + (i % 2) * (plotW / 2);
      parts.push(
        `<line x1="${lx}" x2="${lx + 22}" y1="${ly + 8}" y2="${ly + 8}" stroke="${series.color}" stroke-width="2"${series.dashed ? ' stroke-dasharray="5,3"' : ""}/>`,
      );
      parts.push(`<text x="${lx + 27}" y="${ly + 12}">${escapeXml(series.label)}</text>`);
    });
    parts.push(`</g>`);
  });
  caption.split("\n").forEach((line, i) => {
    parts.push(`<text x="12" y="${height + 26 + i * 14}" fill="#444">${escapeXml(line)}</text>`);
  });
  parts.push(`</svg>`);
  return `${parts.join("\n")}\n`;
}

function formatTick(v: number): string {
  return v >= 1 ? String(Math.round(v)) : String(Number(v.toPrecision(1)));
}

function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}
