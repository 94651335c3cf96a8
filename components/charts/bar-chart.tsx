/**
 * Charts drawn on the server as plain SVG: no script, no chart library. The SVG holds only the bars
 * and stretches to any width (preserveAspectRatio="none"); every word — axis labels, legend — is
 * HTML, so text keeps its size on a phone and on a desktop. Each chart names itself to screen readers
 * (<title>/<desc>) and carries its numbers in a table under "Show as table", which also serves
 * readers without SVG.
 */

export type ChartSeries = {
  key: string;
  label: string;
  /** Fill of the bars and swatch (dark mode remaps the palette in app/globals.css). */
  fill: string;
  swatch: string;
};

export type ChartBucket = {
  /** Short axis label ("14:00", "22 Oct"). */
  label: string;
  /** The bucket in full, for the table and the hover title ("20 Nov 2026, 14:00–15:00 UTC"). */
  longLabel: string;
  values: Record<string, number>;
};

/** Colours with at least 3:1 contrast against the card (WCAG non-text contrast), light and dark (remapped in app/globals.css). */
export const CHART_COLOURS = [
  { fill: "fill-blue-700", swatch: "bg-blue-700" },
  { fill: "fill-orange-700", swatch: "bg-orange-700" },
  { fill: "fill-slate-500", swatch: "bg-slate-500" },
] as const;

const HEIGHT = 100;
const GROUP = 10;
const GAP = 2;

const number = (value: number) => value.toLocaleString("en");

/** Grouped vertical bars, one group per bucket, one bar per series. */
export function BarChart({
  id,
  title,
  caption,
  bucketHeading,
  series,
  buckets,
  headingLevel = 3,
}: {
  id: string;
  title: string;
  /** Its title's level in the page's outline: 2 for a chart straight under the page's h1. */
  headingLevel?: 2 | 3;
  caption: string;
  bucketHeading: string;
  series: ChartSeries[];
  buckets: ChartBucket[];
}) {
  const max = Math.max(1, ...buckets.flatMap((bucket) => series.map((line) => bucket.values[line.key] ?? 0)));
  const totals = series.map((line) => buckets.reduce((sum, bucket) => sum + (bucket.values[line.key] ?? 0), 0));
  const barWidth = (GROUP - GAP) / series.length;
  const width = buckets.length * GROUP;
  const step = Math.ceil(buckets.length / 6);
  const summary = series.map((line, index) => `${line.label}: ${number(totals[index]!)}`).join("; ");
  const Heading = headingLevel === 2 ? "h2" : "h3";

  return (
    <figure aria-labelledby={`${id}-title`} className="min-w-0 rounded-xl border border-slate-200 bg-white p-4 shadow-sm">
      <figcaption>
        <Heading id={`${id}-title`} className="text-sm font-semibold text-slate-900">
          {title}
        </Heading>
        <p className="text-xs text-slate-500">{caption}</p>
      </figcaption>
      <ul className="mt-3 flex flex-wrap gap-x-4 gap-y-1 text-xs text-slate-700" aria-label="Legend">
        {series.map((line, index) => (
          <li key={line.key} className="flex items-center gap-1.5">
            <span aria-hidden="true" className={`inline-block size-3 rounded-sm ${line.swatch}`} />
            {line.label} <span className="font-semibold tabular-nums">{number(totals[index]!)}</span>
          </li>
        ))}
      </ul>
      <div className="mt-3 flex gap-2">
        <div aria-hidden="true" className="flex h-36 flex-col justify-between text-right text-[11px] leading-none tabular-nums text-slate-500">
          <span>{number(max)}</span>
          <span>0</span>
        </div>
        <div className="min-w-0 flex-1">
          <svg
            role="img"
            aria-labelledby={`${id}-svg-title ${id}-svg-desc`}
            viewBox={`0 0 ${width} ${HEIGHT}`}
            preserveAspectRatio="none"
            className="block h-36 w-full border-b border-l border-slate-300"
          >
            <title id={`${id}-svg-title`}>{`${title}, ${caption}`}</title>
            <desc id={`${id}-svg-desc`}>{`Totals: ${summary}. The table below lists every bar.`}</desc>
            <line x1={0} x2={width} y1={HEIGHT / 2} y2={HEIGHT / 2} className="stroke-slate-200" strokeDasharray="2 2" vectorEffect="non-scaling-stroke" />
            {buckets.map((bucket, index) =>
              series.map((line, lineIndex) => {
                const value = bucket.values[line.key] ?? 0;
                if (value === 0) return null;
                // A bar of one among thousands still shows.
                const height = Math.max(1.5, (value / max) * HEIGHT);
                return (
                  <rect
                    key={`${index}-${line.key}`}
                    x={index * GROUP + GAP / 2 + lineIndex * barWidth}
                    y={HEIGHT - height}
                    width={barWidth}
                    height={height}
                    className={line.fill}
                  >
                    <title>{`${bucket.longLabel}: ${line.label} ${number(value)}`}</title>
                  </rect>
                );
              }),
            )}
          </svg>
          {/* Percent positions in an SVG without a viewBox: placed like the bars, at the text's own size. */}
          <svg aria-hidden="true" className="mt-1 block h-4 w-full overflow-visible text-[11px]">
            {buckets.map((bucket, index) =>
              index % step === 0 ? (
                <text key={index} x={`${(index / buckets.length) * 100}%`} y={11} className="fill-slate-500">
                  {bucket.label}
                </text>
              ) : null,
            )}
          </svg>
        </div>
      </div>
      <details className="mt-3 text-sm">
        <summary className="cursor-pointer font-medium text-indigo-700 hover:text-indigo-900">Show as table</summary>
        {/* A box that scrolls: focusable and named, so a keyboard can scroll it in every browser. */}
        <div tabIndex={0} role="region" aria-label={`${title}, as a table`} className="mt-2 max-h-80 overflow-auto rounded-lg border border-slate-200">
          <table className="min-w-full text-left text-sm">
            <caption className="sr-only">{`${title}, ${caption}`}</caption>
            <thead className="sticky top-0 bg-slate-50 text-xs font-medium text-slate-500">
              <tr>
                <th scope="col" className="px-3 py-1.5">
                  {bucketHeading}
                </th>
                {series.map((line) => (
                  <th key={line.key} scope="col" className="px-3 py-1.5 text-right">
                    {line.label}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {buckets.map((bucket) => (
                <tr key={bucket.longLabel}>
                  <th scope="row" className="whitespace-nowrap px-3 py-1 font-normal text-slate-700">
                    {bucket.longLabel}
                  </th>
                  {series.map((line) => (
                    <td key={line.key} className="px-3 py-1 text-right tabular-nums text-slate-900">
                      {number(bucket.values[line.key] ?? 0)}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </figure>
  );
}

/** Horizontal bars for a few categories; the label and number beside each bar are the data itself. */
export function CategoryBars({ id, title, caption, items, fill }: { id: string; title: string; caption: string; items: { label: string; value: number }[]; fill: string }) {
  const max = Math.max(1, ...items.map((item) => item.value));
  const total = items.reduce((sum, item) => sum + item.value, 0);
  return (
    <figure aria-labelledby={`${id}-title`} className="min-w-0 rounded-xl border border-slate-200 bg-white p-4 shadow-sm">
      <figcaption>
        <h3 id={`${id}-title`} className="text-sm font-semibold text-slate-900">
          {title}
        </h3>
        <p className="text-xs text-slate-500">
          {caption} · {number(total)} in total
        </p>
      </figcaption>
      <dl className="mt-3 space-y-2">
        {items.map((item) => (
          <div key={item.label} className="grid grid-cols-[6.5rem_minmax(0,1fr)_3.5rem] items-center gap-2 text-sm">
            <dt className="truncate text-slate-700">{item.label}</dt>
            <dd className="contents">
              <svg aria-hidden="true" viewBox="0 0 100 10" preserveAspectRatio="none" className="h-3 w-full rounded-sm bg-slate-100">
                {item.value > 0 && <rect x={0} y={0} height={10} width={Math.max(1, (item.value / max) * 100)} className={fill} />}
              </svg>
              <span className="text-right font-semibold tabular-nums text-slate-900">{number(item.value)}</span>
            </dd>
          </div>
        ))}
      </dl>
    </figure>
  );
}
