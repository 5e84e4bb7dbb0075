import { layers, regularizers, sequential, optimizers, randomUniform, tensor } from '../lib/index';

// 512 random 8×8 images; label 1 when the left half is brighter than the right half.
const x = randomUniform([512, 8, 8, 1], { seed: 1 });
const labels = Array.from({ length: 512 }, (_, i) => {
  let d = 0;
  for (let p = 0; p < 64; p++) d += (p % 8 < 4 ? 1 : -1) * x.data[i * 64 + p];
  return d > 0 ? 1 : 0;
});
const y = tensor(labels, [512, 1]);

const model = sequential([
  layers.conv2d({ filters: 8, kernelSize: 3, activation: 'relu', inputShape: [8, 8, 1], seed: 1,
    kernelRegularizer: regularizers.l2({ l2: 1e-3 }) }),
  layers.maxPooling2d({ poolSize: 2 }),
  layers.flatten(),
  layers.dense({ units: 1, activation: 'sigmoid', kernelRegularizer: 'l1', seed: 2,
    activityRegularizer: regularizers.l1({ l1: 1e-4 }) }),
]);
model.compile({ optimizer: optimizers.adam({ learningRate: 0.01 }), loss: 'binaryCrossentropy', metrics: ['accuracy'] });
console.log(model.summary());
console.log(model.lossBreakdown(x, y));
model.fit(x, y, { epochs: 15, batchSize: 32, validationSplit: 0.2, seed: 1 })
  .then((h) => console.log('val accuracy', h.history.val_accuracy.at(-1)));
