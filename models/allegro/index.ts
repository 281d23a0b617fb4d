/** potentials/allegro: the Allegro model builder. */
export { createAllegro } from './model.js';
export { allegroSettings, type AllegroOptions, type AllegroSettings, type HiddenLayers } from './options.js';
export { allegroLayer, allegroProduct, edgeEnergyBlock, shChannels, twoBodyBlock } from './layers.js';
