// The floor screen's sounds, strictly one after another in the order they arrived: a two-tone
// "ding-dong" made with WebAudio (no sound file) when a call appears on a floor without a speaker,
// and the spoken call-out (a WAV a speaker driver rendered with its own chime first, fetched from
// this server) when its `call_audio` follows. Screens in a
// hall run Chromium with --autoplay-policy=no-user-gesture-required; elsewhere a first click
// unlocks the sound. What was played is logged on <body data-played> (JSON) for checks.
import { tone } from "/ui/common/tone.js";

const CHIME_MS = 1500;        // the two tones and their decay
const GAP_MS = 300;           // silence between two sounds
const LONGEST_CLIP_MS = 30000;  // a clip that never reports its end does not block the queue
const STALE_MS = 60000;       // a chime a minute late is skipped (its call is on screen); speech never is:
                              // the speaker paces and merges a busy floor's calls itself (docs/hardware.md)
const LOG_LENGTH = 20;

export function createCallSounds() {
  let context = null;
  const queue = [];
  let playing = false;
  let current = null;  // the sound being played
  const log = [];

  function ensureContext() {
    if (!context) {
      const Ctx = window.AudioContext || window.webkitAudioContext;
      if (!Ctx) return null;
      context = new Ctx();
    }
    if (context.state === "suspended") context.resume().catch(() => {});
    return context;
  }

  const wait = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

  async function ding() {
    const ctx = ensureContext();
    if (!ctx || ctx.state !== "running") return { outcome: "muted" };  // scheduled tones would sound later, over the next clip
    const now = ctx.currentTime;
    tone(ctx, 784, now, 0.6);          // G5
    tone(ctx, 523.25, now + 0.5, 0.9); // C5
    document.body.dataset.chimes = String(Number(document.body.dataset.chimes || 0) + 1);
    await wait(CHIME_MS);
    return { outcome: "ended" };
  }

  function speak(url) {
    return new Promise((resolve) => {
      const clip = new Audio(url);
      let settled = false;
      const finish = (outcome) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        clip.pause();
        resolve({ outcome, seconds: Number.isFinite(clip.duration) ? Math.round(clip.duration * 10) / 10 : null });
      };
      const timer = setTimeout(() => finish("timeout"), LONGEST_CLIP_MS);
      clip.addEventListener("ended", () => finish("ended"));
      clip.addEventListener("error", () => finish("error"));
      clip.play().catch(() => finish("blocked"));
    });
  }

  async function drain() {
    if (playing) return;
    playing = true;
    while (queue.length) {
      const item = queue.shift();
      current = item.sound;
      const start = Date.now();
      const stale = item.sound === "chime" && start - item.queuedAt > STALE_MS;
      const result = stale ? { outcome: "stale" } : await item.play();
      log.push({ sound: item.sound, start, end: Date.now(), ...result });
      if (log.length > LOG_LENGTH) log.shift();
      document.body.dataset.played = JSON.stringify(log);
      if (result.outcome !== "stale" && result.outcome !== "muted") await wait(GAP_MS);
    }
    playing = false;
    current = null;
  }

  function enqueue(sound, play) {
    queue.push({ sound, play, queuedAt: Date.now() });
    drain();
  }

  return {
    unlock() { ensureContext(); },
    /** A spoken call is playing or queued. */
    speaking() { return queue.some((item) => item.sound !== "chime") || (playing && current !== "chime"); },
    /** A call appeared on the screen. */
    chime() { enqueue("chime", ding); },
    /** The call's spoken sentence; `url` must already be checked to be this server's. */
    speech(url) { enqueue(url, () => speak(url)); },
  };
}
