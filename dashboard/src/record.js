// The unicorn's sensor record, as it comes off the stream: untrusted bytes.
// {"Name","StatusTime","Latitude","Longitude","Distance","MagicPoints","HealthPoints"}
// A record is used only when every field has the right type and a sane range; text fields are capped.
// Nothing here renders anything: callers show the strings with textContent only.

export const MPH_PER_METRE_PER_SECOND = 2.23694;
const MAX_NAME_LENGTH = 200;
const MAX_STATUS_TIME_LENGTH = 40;
const decoder = new TextDecoder("utf-8", { fatal: false });

function finite(value) {
  return typeof value === "number" && Number.isFinite(value);
}

/** A parsed, validated record, or null when the bytes are not a unicorn record. */
export function decodeRecord(data) {
  let value;
  try {
    value = JSON.parse(typeof data === "string" ? data : decoder.decode(data));
  } catch {
    return null;
  }
  return validRecord(value);
}

export function validRecord(value) {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return null;
  const { Name, StatusTime, Latitude, Longitude, Distance, MagicPoints, HealthPoints } = value;
  if (typeof Name !== "string" || Name.length === 0 || typeof StatusTime !== "string") return null;
  if (!finite(Latitude) || !finite(Longitude) || Latitude < -90 || Latitude > 90) return null;
  if (Longitude < -180 || Longitude > 180) return null;
  if (!finite(Distance) || !finite(MagicPoints) || !finite(HealthPoints)) return null;
  return {
    name: Name.slice(0, MAX_NAME_LENGTH),
    statusTime: StatusTime.slice(0, MAX_STATUS_TIME_LENGTH),
    latitude: Latitude,
    longitude: Longitude,
    distance: Distance,
    magic: MagicPoints,
    health: HealthPoints,
  };
}

/** Distance is metres covered in the last second: metres per second, shown in mph with one decimal. */
export function speedMph(distance) {
  return (distance * MPH_PER_METRE_PER_SECOND).toFixed(1);
}

/** Below 100 health or magic points, a unicorn is in trouble: the map and the list make it stand out. */
export function inTrouble(unicorn) {
  return unicorn.health < 100 || unicorn.magic < 100;
}

/** StatusTime is UTC (`2017-06-05 09:17:08.189`); say so. */
export function statusTimeText(statusTime) {
  return `${statusTime} UTC`;
}
