/**
 * The dashboard page served at GET /: project 1's latest readings, polled every second. Self-contained (no external
 * assets) because the browser journeys run with no internet. `[data-testid="latest-reading"]` is what they check.
 */
export const dashboardHtml = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>trackr dashboard</title>
<style>
body{font-family:system-ui,sans-serif;margin:2rem;color:#222}
table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.25rem .6rem;text-align:left}
#latest{font-size:1.4rem;margin:1rem 0}#status{color:#888}
</style></head>
<body>
<h1>trackr: project 1</h1>
<p id="latest">Latest reading: <span data-testid="latest-reading" data-reading-id="" data-value="">none yet</span></p>
<p id="status">loading...</p>
<table><thead><tr><th>reading</th><th>device</th><th>value</th><th>recorded</th><th>served by</th></tr></thead>
<tbody id="rows"></tbody></table>
<script>
// Polls once a second; textContent only, so reading ids from devices can never inject markup.
const latest = document.querySelector('[data-testid="latest-reading"]');
const rows = document.getElementById("rows");
const status = document.getElementById("status");
async function refresh() {
  try {
    const response = await fetch("/api/projects/1/readings?limit=20", { cache: "no-store" });
    if (!response.ok) throw new Error("HTTP " + response.status);
    const { readings } = await response.json();
    rows.replaceChildren(...readings.map((r) => {
      const tr = document.createElement("tr");
      for (const text of [r.reading_id, r.device_id, String(r.value), new Date(r.recorded_at).toISOString(), r.served_by]) {
        const td = document.createElement("td");
        td.textContent = text;
        tr.append(td);
      }
      return tr;
    }));
    const newest = readings[0];
    if (newest) {
      latest.dataset.readingId = newest.reading_id;
      latest.dataset.value = String(newest.value);
      latest.textContent = newest.reading_id + " = " + newest.value;
    }
    status.textContent = "updated " + new Date().toLocaleTimeString() + " via " + response.headers.get("X-Served-By");
  } catch (error) {
    status.textContent = "refresh failed: " + error.message;
  }
}
refresh();
setInterval(refresh, 1000);
</script>
</body></html>
`;
