// The dashboard: start screen -> guest credentials -> shard reader -> herd -> map and list.

import { DescribeStreamSummaryCommand, KinesisClient } from "@aws-sdk/client-kinesis";
import {
  cleanSettings,
  fetchConfig,
  initialSettings,
  loadStored,
  options as readOptions,
  saveStored,
  withDefaults,
} from "./config.js";
import { GuestCredentials } from "./credentials.js";
import { DashboardError, streamError } from "./errors.js";
import { Herd } from "./herd.js";
import {
  chooseLanguage,
  ENDONYMS,
  formatNumber,
  LANGUAGES,
  language,
  locale,
  setLanguage,
  t,
  tNodes,
  translateDocument,
} from "./i18n.js";
import { ListView } from "./listview.js";
import { MapView } from "./mapview.js";
import { ShardReader } from "./reader.js";
import { arrivalMs, decodeRecord } from "./record.js";
import { checkRetention, parseFrom, parseSpeed, Replay } from "./replay.js";
import { narrowImages } from "./tiles.js";
import { el } from "./vitals.js";

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);
setLanguage(chooseLanguage(params.get("lang"), navigator.languages));

const state = {
  config: null,
  options: readOptions(params, null),
  herd: null,
  mapView: null,
  listView: null,
  reader: null,
  credentials: null,
  dirty: new Set(), // keys to draw at the next frame
  removed: new Set(), // keys dropped for the cap, to take off at the next frame
  renderQueued: false,
  follow: true,
  lastFit: 0,
  newSinceFit: false,
  received: 0, // records shown (each a unicorn status)
  skipped: 0, // records that are not a unicorn status: counted, never shown, never thrown on
  lastRecordAt: null,
  trace: null,
  replay: null, // a Replay while replaying (?from=), and after it caught up
  speedError: null, // a bad ?speed=, until the speed control is changed
};
window.wildrydes = state; // for the curious (and the tests): read-only use

function showError(target, error) {
  const box = $(target);
  box.textContent = error.message;
  box.hidden = false;
  const detail = $(`${target}-detail`);
  if (detail) {
    // The call, the error code and AWS's own message, verbatim (in AWS's language): for a search or a bug report.
    detail.textContent = error.detail || "";
    detail.lang = "en";
    detail.hidden = !error.detail;
  }
}

/** The page's static text in its language, and the switch to the other languages (same URL, other lang=). */
function translatePage() {
  translateDocument(document);
  $("subtitle").replaceChildren(...tNodes("side.subtitle", { stream: $("stream-name"), count: $("count") }));
  const links = LANGUAGES.map((code) => {
    const other = new URLSearchParams(location.search);
    other.set("lang", code);
    const link = el("a", "", ENDONYMS[code]);
    link.href = `?${other}`;
    link.lang = code;
    link.hreflang = code;
    if (code === language()) link.setAttribute("aria-current", "true");
    return link;
  });
  $("language").replaceChildren(...links);
}

/** config.json's problem, told in the page's language (the server writes English). */
function configProblem(problem) {
  const unknown = /^attendee '(.*)' is not set up here/.exec(problem);
  if (unknown) return t("config.unknownAttendee", { attendee: unknown[1] });
  if (/^no attendee is set up/.test(problem)) return t("config.noAttendee");
  return t("config.unreadable", { problem });
}

function clearError(target) {
  $(target).hidden = true;
  $(target).textContent = "";
  const detail = $(`${target}-detail`);
  if (detail) detail.hidden = true;
}

function formSettings() {
  const values = {};
  for (const input of $("start-form").querySelectorAll("input[name]")) values[input.name] = input.value;
  return cleanSettings(values);
}

function fillForm(settings) {
  for (const [field, value] of Object.entries(settings)) {
    const input = $("start-form").querySelector(`input[name="${field}"]`);
    if (input) input.value = value;
  }
}

function showAttendees(attendees) {
  const box = $("attendees");
  box.replaceChildren(el("p", "", t("start.whichAttendee")));
  const list = el("ul");
  for (const name of attendees) {
    const link = el("a", "", name);
    link.href = `?attendee=${encodeURIComponent(name)}`;
    const item = el("li");
    item.append(link);
    list.append(item);
  }
  box.append(list);
  box.hidden = false;
}

async function boot() {
  translatePage();
  const attendee = state.options.attendee;
  const fetched = await fetchConfig(attendee);
  state.config = fetched.config;
  state.options = readOptions(params, fetched.config);
  // Before any image could load (tiles come only after Start): no image host but the chosen tile origin.
  narrowImages(document, state.options.tiles.cspSource);
  if (fetched.attendees) showAttendees(fetched.attendees);
  if (fetched.problem) $("config-note").textContent = configProblem(fetched.problem);
  state.storageAttendee = attendee || (typeof state.config?.attendee === "string" ? state.config.attendee : "");
  const { settings, source } = initialSettings(state.config, loadStored(localStorage, state.storageAttendee));
  fillForm(settings);
  if (source === "config") $("config-note").textContent = t("start.fromConfig");
  if (source === "typed") $("config-note").textContent = t("start.fromTyped");
  $("advanced").open = !settings.identityPoolId || Boolean(params.get("advanced"));

  state.herd = new Herd({
    timeoutMs: state.options.timeoutMs,
    trailPoints: state.options.trailPoints,
    maxUnicorns: state.options.maxUnicorns,
  });
  state.mapView = new MapView($("map"), {
    tiles: state.options.tiles,
    onUserMove: () => setFollow(false),
    onOffline: () => notice("notice-offline", t("notice.offlineMap")),
  });
  state.mapView.lastOf = (key) => state.herd.unicorns.get(key);
  state.listView = new ListView($("unicorn-list"), { onSelect: (key) => state.mapView.open(key) });
  $("fit").addEventListener("click", () => {
    setFollow(true);
    fitHerd(0);
  });
  fillReplayControls();
  $("start-form").addEventListener("submit", (event) => {
    event.preventDefault();
    start();
  });
  if (state.options.trace) state.trace = [];
  document.body.dataset.state = "ready";
}

async function start() {
  clearError("start-error");
  const typed = formSettings();
  const settings = withDefaults(typed);
  if (!settings.identityPoolId) {
    return showError("start-error", new DashboardError("bad-input", t("start.needPool")));
  }
  if (!settings.region) {
    return showError("start-error", new DashboardError("bad-input", t("start.needRegion")));
  }
  if (!settings.unauthRoleArn) {
    return showError("start-error", new DashboardError("bad-input", t("start.needRole")));
  }
  let plan;
  try {
    plan = replayPlan();
  } catch (error) {
    return showError("start-error", new DashboardError("bad-input", error.message));
  }
  saveStored(localStorage, state.storageAttendee, state.config, typed);
  const button = $("start");
  button.disabled = true;
  $("start-progress").textContent = t("start.signingIn");
  document.body.dataset.state = "starting";
  const credentials = new GuestCredentials(settings, {
    onRefreshError: (error) => showError("error", error),
    propagationTimeoutMs: state.options.signInWaitMs,
    // IAM is eventually consistent: right after setup the guest role may be refused for a few seconds.
    onWaiting: (seconds) => {
      $("start-progress").textContent =
        t("start.waitingForIam") + (seconds ? ` ${t("start.waitingSeconds", { seconds: Math.round(seconds) })}` : "");
    },
  });
  try {
    await credentials.get();
    $("start-progress").textContent = t("start.openingStream", { stream: settings.streamName });
    // The SDK caches credentials until they near expiry: after ExpiredTokenException a new client starts afresh.
    const kinesisClient = () =>
      new KinesisClient({
        region: settings.region,
        ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
        credentials: credentials.provider,
        maxAttempts: 1, // the reader retries and backs off itself
      });
    const replay = plan ? await startReplay(plan, kinesisClient(), settings) : null;
    const reader = new ShardReader({
      client: kinesisClient(),
      streamName: settings.streamName,
      budgetPerShard: state.options.budgetPerShard,
      onRecords: replay ? (records, shardId) => replay.add(records, shardId) : onRecords,
      ...(replay
        ? {
            startAt: replay.startAt,
            onProgress: (shardId, progress) => replay.report(shardId, progress),
            mayRead: (shardId) => replay.mayRead(shardId),
          }
        : {}),
      onFatal: (error) => {
        showError("error", streamError(error, settings));
        document.body.dataset.state = "stopped";
      },
      onTrouble: (error) => {
        if (error) showError("error", streamError(error, settings));
        else clearError("error");
      },
      onCredentialsExpired: () => {
        credentials.invalidate();
        reader.client = kinesisClient();
      },
    });
    try {
      await reader.start();
    } catch (error) {
      reader.stop();
      throw streamError(error, settings);
    }
    state.reader = reader;
    if (replay) {
      replay.shards = () => reader.shardStates();
      state.herd.clock = () => replay.time();
      state.replay = replay;
    }
    state.credentials = credentials;
    state.settings = settings;
  } catch (error) {
    credentials.stop();
    button.disabled = false;
    $("start-progress").textContent = "";
    document.body.dataset.state = "ready";
    const shown = error instanceof DashboardError ? error : streamError(error, settings);
    showError("start-error", shown);
    return;
  }
  $("start-screen").hidden = true;
  $("stream-name").textContent = settings.streamName;
  if (state.options.tiles.refused) {
    notice("notice-tiles", t("notice.tilesRefused", { url: state.options.tiles.refused }));
  }
  state.mapView.startTiles();
  document.body.dataset.state = "reading";
  const sweepMs = Math.max(100, Math.min(1000, state.options.timeoutMs / 8));
  setInterval(sweep, sweepMs);
  if (state.replay) {
    state.replayTimer = setInterval(replayTick, REPLAY_TICK_MS);
    replayTick();
  }
  setInterval(updateStatus, 1000);
  updateStatus();
}

/** The stream's own clock for a record (ApproximateArrivalTimestamp), else this browser's: the skew's reference. */
function sentAt(item) {
  const stamp = item.ApproximateArrivalTimestamp;
  const ms = stamp instanceof Date ? stamp.getTime() : Number(stamp);
  return Number.isFinite(ms) && ms > 0 ? ms : Date.now();
}

// Every record is accounted for: shown (a unicorn status) or counted as skipped; none stops the others.
function onRecords(records) {
  const arrivedAt = performance.now();
  for (const item of records) ingest(item, arrivedAt, sentAt(item));
  state.lastRecordAt = arrivedAt;
  queueRender();
}

/** One record on the herd's clock at `arrivedAt`, received by the stream at `sent` (ms since the epoch). */
function ingest(item, arrivedAt, sent) {
  const record = decodeRecord(item?.Data);
  if (!record) {
    state.skipped += 1;
    return;
  }
  try {
    const result = state.herd.ingest(record, arrivedAt, sent);
    state.received += 1;
    if (result.isNew) state.newSinceFit = true;
    for (const key of result.evicted) {
      // Only a drawn unicorn has a marker to take off: the set stays as small as what is on the map.
      if (state.mapView.items.has(key)) state.removed.add(key);
      state.dirty.delete(key);
    }
    state.dirty.add(record.key);
  } catch (error) {
    state.skipped += 1;
    console.error("a record could not be shown", error);
  }
}

// Replay (?from=15m&speed=10, or the start screen's controls): see replay.js.
const REPLAY_TICK_MS = 50;

function fillReplayControls() {
  $("replay-from").value = params.get("from") ?? "";
  $("replay-speed").addEventListener("change", () => (state.speedError = null));
  const speed = params.get("speed");
  if (speed !== null) {
    try {
      $("replay-speed").value = String(parseSpeed(speed));
    } catch (error) {
      // The control cannot show a bad value: the error stays until the speed is chosen there.
      state.speedError = error;
      showError("start-error", new DashboardError("bad-input", error.message));
    }
  }
  if (params.get("from") || state.speedError) $("advanced").open = true;
}

/** {fromMs, fromText, speed} from the controls, or null for live only; throws a ReplayOptionError. */
function replayPlan() {
  const fromText = $("replay-from").value.trim();
  const fromMs = parseFrom(fromText);
  if (state.speedError) throw state.speedError;
  const speed = parseSpeed($("replay-speed").value);
  return fromMs === null ? null : { fromMs, fromText, speed };
}

/** The replay, once `from` is known to be within what the stream keeps (when the guest may ask its retention). */
async function startReplay(plan, client, settings) {
  let retentionHours = Number.NaN;
  try {
    const reply = await client.send(new DescribeStreamSummaryCommand({ StreamName: settings.streamName }));
    retentionHours = Number(reply.StreamDescriptionSummary?.RetentionPeriodHours);
  } catch {
    // A policy without DescribeStreamSummary: Kinesis itself starts no earlier than its oldest record.
  }
  try {
    checkRetention(plan.fromMs, plan.fromText, retentionHours, settings.streamName);
  } catch (error) {
    throw new DashboardError("bad-input", error.message);
  }
  return new Replay({
    fromMs: plan.fromMs,
    speed: plan.speed,
    onRecord: (item, at) => {
      const replay = state.replay;
      ingest(item, at, replay?.live ? (arrivalMs(item) ?? Date.now()) : at);
      state.lastRecordAt = performance.now();
      queueRender();
    },
  });
}

function replayTick() {
  const replay = state.replay;
  replay.tick();
  sweep();
  if (replay.live) {
    // From here the reader's own records go straight to the herd (Replay.add), swept by the usual timer.
    clearInterval(state.replayTimer);
    state.reader.atOnceWhenBehind = true; // live as without a replay
    notice("notice-replay", t("replay.live"));
    $("notices").querySelector(".notice-replay").classList.add("live");
    document.body.dataset.replay = "live";
    return;
  }
  state.replayTime ??= new Intl.DateTimeFormat(locale(), {
    timeZone: "UTC",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
    hourCycle: "h23",
  });
  const time = state.replayTime.format(new Date(replay.at));
  notice("notice-replay", t("replay.replaying", { time, speed: replay.speed }));
  document.body.dataset.replay = "replaying";
}

// Drawn at the next frame, or by a timer when frames stall (seen in headless Chromium under load with
// thousands of markers): what is queued is drawn within about a second either way. What waits to be drawn
// stays bounded by the herd's cap (a hidden tab, where browsers slow both down, included).
const RENDER_FALLBACK_MS = 1000;

function queueRender() {
  if (state.renderQueued) return;
  state.renderQueued = true;
  state.renderFrame = requestAnimationFrame(render);
  state.renderTimer = setTimeout(render, RENDER_FALLBACK_MS);
}

function render() {
  if (!state.renderQueued) return;
  state.renderQueued = false;
  cancelAnimationFrame(state.renderFrame);
  clearTimeout(state.renderTimer);
  const appliedAt = state.trace ? performance.timeOrigin + performance.now() : 0;
  let outside = false;
  // Dropped first: a unicorn dropped and back within one frame is a new marker.
  for (const key of state.removed) {
    state.mapView.remove(key);
    state.listView.remove(key);
  }
  state.removed.clear();
  for (const key of state.dirty) {
    const u = state.herd.unicorns.get(key);
    if (!u) continue;
    state.mapView.upsert(u);
    state.listView.upsert(u);
    if (state.follow && !outside && !state.mapView.contains(u)) outside = true;
    if (state.trace) state.trace.push([u.label, u.statusTime, appliedAt]);
  }
  state.dirty.clear();
  if (state.trace && state.trace.length > 200_000) state.trace.splice(0, 100_000);
  if (state.follow && state.newSinceFit) fitHerd(NEW_UNICORN_FIT_MS);
  else if (state.follow && outside) fitHerd(OUTSIDE_FIT_MS);
  $("count").textContent = formatNumber(state.herd.size);
  updateNotices();
}

// Said once each, and kept up to date: the page shows less than the stream carries, and why.
function updateNotices() {
  if (state.herd.dropped > 0) {
    notice("notice-cap", t("notice.cap", { max: state.herd.maxUnicorns }));
  }
  if (state.skipped > 0) {
    notice("notice-skipped", t("notice.skipped", { count: state.skipped }));
  }
}

function notice(kind, text) {
  let box = $("notices").querySelector(`.${kind}`);
  if (!box) {
    box = el("p", `notice ${kind}`);
    $("notices").append(box);
    $("notices").hidden = false;
  }
  if (box.textContent !== text) box.textContent = text;
}

// Following the herd: a new unicorn is brought into view within a second; one that rides out of view, within
// a few seconds. Each fit leaves a margin around the herd, so that moving the view stays rare (it redraws
// every marker and the whole basemap).
const NEW_UNICORN_FIT_MS = 1000;
const OUTSIDE_FIT_MS = 4000;

function fitHerd(minGapMs = 0) {
  const since = performance.now() - state.lastFit;
  if (since < minGapMs) return queueLaterFit(minGapMs - since);
  const bounds = state.herd.bounds();
  if (!bounds) return;
  state.mapView.fit(bounds);
  state.lastFit = performance.now();
  state.newSinceFit = false;
}

function queueLaterFit(ms) {
  if (state.fitTimer) return;
  state.fitTimer = setTimeout(() => {
    state.fitTimer = null;
    if (state.follow) fitHerd(0);
  }, ms);
}

function setFollow(on) {
  state.follow = on;
  $("fit").classList.toggle("active", !on);
}

function sweep() {
  const gone = state.herd.expire(); // on the herd's clock: the replay's while replaying
  for (const key of gone) {
    state.mapView.remove(key);
    state.listView.remove(key);
    state.dirty.delete(key);
    state.removed.delete(key);
  }
  if (gone.length) $("count").textContent = formatNumber(state.herd.size);
}

function updateStatus() {
  const reader = state.reader;
  if (!reader) return;
  const shards = [...reader.shards.values()].filter((s) => !s.done).length;
  const behind = Math.max(0, ...Object.values(reader.stats.millisBehind));
  const parts = [t("status.shards", { count: shards }), t("status.records", { count: state.received })];
  if (behind > 0) {
    const seconds = formatNumber(behind / 1000, { minimumFractionDigits: 1, maximumFractionDigits: 1 });
    parts.push(t("status.behind", { seconds }));
  }
  if (reader.stats.throttled) parts.push(t("status.throttled", { count: reader.stats.throttled }));
  $("status").textContent = parts.join(" · ");
}

boot().catch((error) => {
  console.error(error);
  showError("start-error", new DashboardError("other", t("start.failed", { message: error.message })));
});
