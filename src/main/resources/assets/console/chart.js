// A small hand-drawn line chart of messages sent and received per second over the last five minutes (no library).
const WINDOW_MS = 5 * 60 * 1000;
const COLOURS = { sent: '#1d4ed8', received: '#c2410c' };

export class RateChart {
  constructor(canvas, legend) {
    this.canvas = canvas;
    this.legend = legend;
    this.points = []; // { at, sent, received }
    this.draw();
  }

  add(at, sent, received) {
    this.points.push({ at, sent: Math.max(0, sent), received: Math.max(0, received) });
    this.points = this.points.filter((p) => p.at >= at - WINDOW_MS);
    this.legend.replaceChildren(
      this.label('sent', `sent ${sent.toFixed(1)}/s`), ' ', this.label('received', `received ${received.toFixed(1)}/s`));
    this.draw();
  }

  label(kind, text) {
    const span = document.createElement('span');
    span.className = kind;
    span.textContent = text;
    return span;
  }

  draw() {
    const c = this.canvas;
    const ratio = window.devicePixelRatio || 1;
    const width = c.clientWidth || c.width;
    const height = c.clientHeight || c.height;
    c.width = width * ratio;
    c.height = height * ratio;
    const g = c.getContext('2d');
    g.setTransform(ratio, 0, 0, ratio, 0, 0);
    g.clearRect(0, 0, width, height);
    const pad = { left: 44, right: 8, top: 8, bottom: 20 };
    const max = Math.max(1, ...this.points.flatMap((p) => [p.sent, p.received]));
    const now = this.points.length ? this.points[this.points.length - 1].at : Date.now();
    const x = (at) => pad.left + (width - pad.left - pad.right) * (1 - (now - at) / WINDOW_MS);
    const y = (v) => height - pad.bottom - (height - pad.top - pad.bottom) * (v / max);

    g.strokeStyle = '#d1d5db';
    g.fillStyle = '#4b5563';
    g.font = '11px system-ui, sans-serif';
    g.lineWidth = 1;
    for (const v of [0, max / 2, max]) {
      g.beginPath();
      g.moveTo(pad.left, y(v));
      g.lineTo(width - pad.right, y(v));
      g.stroke();
      g.fillText(v.toFixed(v < 10 ? 1 : 0), 4, y(v) + 4);
    }
    g.fillText('-5 min', pad.left, height - 4);
    g.fillText('now', width - pad.right - 22, height - 4);
    for (const kind of ['sent', 'received']) {
      g.strokeStyle = COLOURS[kind];
      g.lineWidth = 2;
      g.beginPath();
      this.points.forEach((p, i) => (i ? g.lineTo(x(p.at), y(p[kind])) : g.moveTo(x(p.at), y(p[kind]))));
      g.stroke();
    }
  }
}
