// The call chime: a two-tone "ding-dong" made with WebAudio (no sound file), then the call-out
// audio if a speaker driver rendered one. Screens in a hall run Chromium with
// --autoplay-policy=no-user-gesture-required; elsewhere a first click unlocks the sound.
export function createChime() {
  let context = null;

  function ensureContext() {
    if (!context) {
      const Ctx = window.AudioContext || window.webkitAudioContext;
      if (!Ctx) return null;
      context = new Ctx();
    }
    if (context.state === "suspended") context.resume().catch(() => {});
    return context;
  }

  function tone(ctx, frequency, start, length) {
    const osc = ctx.createOscillator();
    const gain = ctx.createGain();
    osc.type = "sine";
    osc.frequency.value = frequency;
    gain.gain.setValueAtTime(0.0001, start);
    gain.gain.exponentialRampToValueAtTime(0.5, start + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, start + length);
    osc.connect(gain).connect(ctx.destination);
    osc.start(start);
    osc.stop(start + length + 0.05);
  }

  return {
    unlock() { ensureContext(); },
    play(audioUrl) {
      const ctx = ensureContext();
      let delayMs = 0;
      if (ctx) {
        const now = ctx.currentTime;
        tone(ctx, 784, now, 0.6);        // G5
        tone(ctx, 523.25, now + 0.5, 0.9); // C5
        delayMs = 1400;
      }
      document.body.dataset.chimes = String(Number(document.body.dataset.chimes || 0) + 1);
      if (audioUrl) {
        setTimeout(() => {
          const speech = new Audio(audioUrl);
          speech.play().catch(() => {});
        }, delayMs);
      }
    },
  };
}
