/**
 * rnn-harness/classifier: the notebook's ScratchSimpleRNNClassifier on any backend, its parts
 * (initializers, activations, optimizers), saving and loading, and the MNIST digits it trains on.
 */
import './backends/builtin.js';

export { ScratchSimpleRNNClassifier, CLASSIFIER_DEFAULTS } from './model/classifier.js';
export type { ClassifierOptions, History } from './model/classifier.js';
export { SimpleInitializer, XavierInitializer, HeInitializer } from './model/initializers.js';
export type { Initializer } from './model/initializers.js';
export { Tanh, ReLU } from './model/activations.js';
export { SGD, AdaGrad, Adam, clipByGlobalNorm } from './model/optimizers.js';
export type { Optimizer } from './model/optimizers.js';
export { saveModel, loadModel } from './model/persist.js';
export { loadMnist } from './data/mnist.js';
export type { MnistSplit } from './data/mnist.js';
