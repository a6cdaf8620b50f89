/** train.html: the loss and accuracy curves of one training run, self-contained like bench.html. */
import { CSS } from './html.js';
import { escapeXml, lineChart } from './svg.js';

export type TrainingReport = {
  backend: string;
  testAccuracy: number;
  trainLoss: number[];
  valLoss: number[];
  valAccuracy: number[];
  seconds: number;
  config: Record<string, unknown>;
};

export function trainingHtml(r: TrainingReport): string {
  const config = Object.entries(r.config)
    .map(([k, v]) => `<tr><td>${escapeXml(k)}</td><td>${escapeXml(String(v))}</td></tr>`)
    .join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>rnn-harness train</title><style>${CSS}</style></head>
<body>
<h1>rnn-harness train</h1>
<p>ScratchSimpleRNNClassifier on ${escapeXml(r.backend)}: held-out accuracy <b>${r.testAccuracy.toFixed(4)}</b> after ${r.trainLoss.length} epochs, ${r.seconds.toFixed(1)} s.</p>
<h2>Loss</h2>
${lineChart({
  id: 'loss',
  title: 'cross-entropy per epoch',
  xLabel: 'epoch',
  tick: (v) => v.toFixed(3),
  series: [
    { name: 'train loss', values: r.trainLoss },
    { name: 'held-out loss', values: r.valLoss },
  ],
})}
<h2>Accuracy</h2>
${lineChart({ id: 'accuracy', title: 'held-out accuracy per epoch', xLabel: 'epoch', tick: (v) => v.toFixed(3), series: [{ name: 'held-out accuracy', values: r.valAccuracy }] })}
<h2>Configuration</h2>
<table class="env">${config}</table>
</body></html>
`;
}
