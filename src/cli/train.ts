import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { loadMnist } from '../data/mnist.js';
import { CLASSIFIER_DEFAULTS, ScratchSimpleRNNClassifier } from '../model/classifier.js';
import { saveModel } from '../model/persist.js';
import { getBackendEntry } from '../registry/registry.js';
import { trainingHtml, type TrainingReport } from '../report/training-html.js';
import { backendFlags, EXIT, intOption, parsed, UsageError, writeJson, type Io } from './common.js';

const D = CLASSIFIER_DEFAULTS;

export const TRAIN_HELP = `Usage: rnn-harness train [--backend B] [--plugin MODULE]... [--exec NAME=CMD]... [--epochs N] [--nodes H] [--lr X] [--batch-size N] [--seed S]
                         [--json FILE] [--save FILE] [--html FILE]

Trains the notebook's ScratchSimpleRNNClassifier (SimpleRNN -> dense on the last hidden state ->
softmax) on the real MNIST digits of the \`mnist\` package: each 28x28 image is 28 steps of 28 pixels; a
seeded, stratified split gives 8,000 training and 2,000 held-out digits. Prints the training loss,
held-out loss and accuracy and the time of every epoch, then the held-out accuracy.

Options:
  --backend B       the RNN's backend (default ${D.backend}; see rnn-harness list)
  --plugin MODULE   load more backends from MODULE (a file or an installed package); repeatable
  --exec NAME=CMD   a backend in another process (see rnn-harness check --help); repeatable
  --epochs N        passes over the training digits (default ${D.epochs})
  --nodes H         hidden units (default ${D.nodes})
  --lr X            Adam's learning rate at the first epoch (default ${D.lr}; x${D.lrDecay} per epoch)
  --batch-size N    mini-batch size (default ${D.batchSize})
  --seed S          seed of the split, the initial weights and the batches (default ${D.seed})
  --json FILE       write { testAccuracy, trainLoss, valLoss, valAccuracy, seconds, config }
  --save FILE       save the trained model as JSON (atomic; load it with loadModel)
  --html FILE       write the loss and accuracy curves as a self-contained page
  -h, --help        this text

The defaults reach at least 0.95 held-out accuracy (docs/CLASSIFIER.md has the figures of a 2-core machine).
Exit codes: 0 trained, 1 the digits could not be loaded (the optional mnist package is absent), 2 bad usage.`;

export async function train(argv: string[], io: Io): Promise<number> {
  const { values } = parsed('train', () =>
    parseArgs({
      args: argv,
      strict: true,
      options: {
        backend: { type: 'string' },
        epochs: { type: 'string' },
        nodes: { type: 'string' },
        lr: { type: 'string' },
        'batch-size': { type: 'string' },
        seed: { type: 'string' },
        json: { type: 'string' },
        save: { type: 'string' },
        html: { type: 'string' },
        plugin: { type: 'string', multiple: true },
        exec: { type: 'string', multiple: true },
        help: { type: 'boolean', short: 'h' },
      },
    }),
  );
  if (values.help) return (io.out(TRAIN_HELP), EXIT.ok);
  const lr = values.lr === undefined ? D.lr : Number(values.lr);
  if (!(Number.isFinite(lr) && lr > 0))
    throw new UsageError(`rnn-harness train: --lr must be a number > 0; got ${JSON.stringify(values.lr)}`);
  await backendFlags('train', { plugin: values.plugin, exec: values.exec });
  const backend = values.backend ?? D.backend;
  try {
    getBackendEntry(backend, 'rnn-harness train --backend');
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const config = {
    backend,
    epochs: intOption('train', 'epochs', values.epochs, D.epochs),
    nodes: intOption('train', 'nodes', values.nodes, D.nodes),
    lr,
    batchSize: intOption('train', 'batch-size', values['batch-size'], D.batchSize),
    seed: intOption('train', 'seed', values.seed, D.seed, 0),
    activation: D.activation,
    initializer: D.initializer,
    optimizer: D.optimizer,
    clipNorm: D.clipNorm,
    lrDecay: D.lrDecay,
  };
  const start = performance.now();
  let digits;
  try {
    digits = await loadMnist({ seed: config.seed });
  } catch (e) {
    // The digits come from the optional `mnist` package: say how to get them rather than print a stack.
    io.err(`rnn-harness train: ${(e as Error).message}`);
    return EXIT.failed;
  }
  const { train: tr, test } = digits;
  io.out(
    `rnn-harness train: ${tr.y.length} training and ${test.y.length} held-out MNIST digits (28 steps x 28 pixels), ` +
      `${config.nodes} ${config.activation} units on ${backend}, Adam lr ${lr}, batches of ${config.batchSize}, seed ${config.seed}`,
  );
  const model = new ScratchSimpleRNNClassifier({ ...config, verbose: (line) => io.out(line) });
  let testAccuracy: number;
  try {
    await model.fit(tr.x, tr.y, { xVal: test.x, yVal: test.y });
    testAccuracy = await model.score(test.x, test.y);
  } finally {
    await model.dispose();
  }
  const seconds = (performance.now() - start) / 1000;
  io.out(`held-out accuracy ${testAccuracy.toFixed(4)} (${test.y.length} digits) after ${seconds.toFixed(1)} s`);
  const report: TrainingReport = { backend, testAccuracy, ...model.history, seconds, config };
  if (values.json !== undefined) await writeJson(values.json, { ...report, epochSeconds: model.history.seconds });
  if (values.save !== undefined) {
    await mkdir(dirname(values.save), { recursive: true });
    await saveModel(model, values.save);
    io.out(`model saved to ${values.save}`);
  }
  if (values.html !== undefined) {
    await mkdir(dirname(values.html), { recursive: true });
    await writeFile(values.html, trainingHtml(report));
    io.out(`curves written to ${values.html}`);
  }
  return EXIT.ok;
}
