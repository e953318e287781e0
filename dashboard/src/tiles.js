// Which street tiles go under the herd: OpenStreetMap's standard tiles unless the URL (?tiles=) or the attendee's
// config says otherwise. A template is used only from https://, or http:// on this machine (a tile server of the
// lab's own); anything else is refused with a notice, never fetched. The page's Content-Security-Policy is then
// narrowed to the chosen tile origin (cspSource), so no other image host can be reached.

export const OSM_TILES = "https://tile.openstreetmap.org/{z}/{x}/{y}.png";
// As the OpenStreetMap tile usage policy asks: credit with a link to the copyright page.
export const OSM_ATTRIBUTION =
  '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors';
// Hosts a plain-http template may name: CSP host sources cannot name an IPv6 literal, so [::1] is not among them.
const LOOPBACK_HOSTS = new Set(["127.0.0.1", "localhost"]);

/**
 * raw: "" / absent (the default: OpenStreetMap), "osm", "none", or a {z}/{x}/{y} template. Returns
 * {url, attribution, cspSource, refused}: url "" means no tile layer; refused is the template that was not allowed.
 */
export function tileChoice(raw) {
  const value = typeof raw === "string" ? raw.trim() : "";
  if (value === "none") return { url: "", attribution: "", cspSource: "", refused: "" };
  if (value === "" || value === "osm") {
    return { url: OSM_TILES, attribution: OSM_ATTRIBUTION, cspSource: "https://tile.openstreetmap.org", refused: "" };
  }
  const source = allowedSource(value);
  if (!source) return { url: "", attribution: "", cspSource: "", refused: value };
  const attribution = value === OSM_TILES ? OSM_ATTRIBUTION : "";
  return { url: value, attribution, cspSource: source, refused: "" };
}

/** The CSP source (scheme://host[:port]) a template's tiles come from, or "" when it may not be used. */
function allowedSource(template) {
  if (!/\{z\}/.test(template) || !/\{x\}/.test(template) || !/\{y\}/.test(template)) return "";
  // {s} (a subdomain letter) only as the first label: the CSP source becomes a *.host wildcard.
  const subdomains = template.match(/\{s\}/g)?.length ?? 0;
  if (subdomains > 1 || (subdomains === 1 && !/^https?:\/\/\{s\}\./.test(template))) return "";
  let url;
  try {
    url = new URL(template.replace("{s}", "a").replace(/\{[a-z]+\}/g, "0"));
  } catch {
    return "";
  }
  if (url.username || url.password) return "";
  if (url.protocol === "http:" && !LOOPBACK_HOSTS.has(url.hostname)) return "";
  if (url.protocol !== "https:" && url.protocol !== "http:") return "";
  const host = subdomains ? `*.${url.host.split(".").slice(1).join(".")}` : url.host;
  return `${url.protocol}//${host}`;
}

/**
 * A second Content-Security-Policy for the page (policies add up: both must allow a load): images from the
 * page itself, data: URLs and the tile origin only.
 */
export function narrowImages(document, cspSource) {
  const meta = document.createElement("meta");
  meta.httpEquiv = "Content-Security-Policy";
  meta.content = `img-src 'self' data:${cspSource ? ` ${cspSource}` : ""}`;
  document.head.append(meta);
  return meta;
}
