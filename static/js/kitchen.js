// Kitchen display and board: a short sound when a new ticket (or a newly ready number) arrives
// after a poll, and a highlight for the new numbers. Works without it: the pages poll via htmx.
(function () {
  "use strict";
  let audio = null;
  function beep(frequencies) {
    try {
      audio = audio || new (window.AudioContext || window.webkitAudioContext)();
      let start = audio.currentTime;
      frequencies.forEach(function (frequency) {
        const osc = audio.createOscillator();
        const gain = audio.createGain();
        osc.frequency.value = frequency;
        gain.gain.setValueAtTime(0.2, start);
        gain.gain.exponentialRampToValueAtTime(0.001, start + 0.3);
        osc.connect(gain).connect(audio.destination);
        osc.start(start);
        osc.stop(start + 0.3);
        start += 0.25;
      });
    } catch (e) { /* no audio device: the highlight still shows */ }
  }
  function ids(selector, attribute) {
    return new Set(Array.from(document.querySelectorAll(selector)).map(function (el) { return el.getAttribute(attribute); }));
  }
  let tickets = ids("#kitchen-feed .ticket", "data-ticket");
  let ready = ids("#board-columns .board-ready .board-number", "data-number");
  document.addEventListener("htmx:afterSwap", function () {
    const nowTickets = ids("#kitchen-feed .ticket", "data-ticket");
    if (Array.from(nowTickets).some(function (id) { return !tickets.has(id); })) beep([880]);
    tickets = nowTickets;
    const nowReady = ids("#board-columns .board-ready .board-number", "data-number");
    let fresh = false;
    document.querySelectorAll("#board-columns .board-ready .board-number").forEach(function (el) {
      if (!ready.has(el.getAttribute("data-number"))) { el.classList.add("is-new"); fresh = true; }
    });
    if (fresh) beep([660, 880, 1320]);
    ready = nowReady;
  });
})();
