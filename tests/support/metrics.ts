import type { MetricValue } from "prom-client";
import { metrics } from "@/lib/metrics/metrics";

/** Every series of a metric, keyed by its labels ("reason=logout"; histograms also by sample name). */
export async function series(name: string): Promise<Map<string, number>> {
  const metric = metrics().registry.getSingleMetric(name);
  if (!metric) throw new Error(`no metric ${name}`);
  const { values } = await metric.get();
  return new Map(
    // Histograms' samples name themselves (…_bucket, _sum, _count); prom-client's type leaves it out.
    (values as (MetricValue<string> & { metricName?: string })[]).map((sample) => {
      const labels = Object.entries(sample.labels).map(([label, value]) => `${label}=${value}`);
      const suffix = sample.metricName && sample.metricName !== name ? sample.metricName.slice(name.length) : "";
      return [`${suffix}${labels.join(",")}`, sample.value];
    }),
  );
}

/** How much `work` moved each series of `name`; series it left alone are not listed. */
export async function added(name: string, work: () => Promise<unknown>): Promise<Record<string, number>> {
  const before = await series(name);
  await work();
  const moved: Record<string, number> = {};
  for (const [key, value] of await series(name)) {
    const delta = value - (before.get(key) ?? 0);
    if (delta !== 0) moved[key] = delta;
  }
  return moved;
}
