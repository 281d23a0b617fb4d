/** models/allegro: the Allegro model builder. */
export { createAllegro } from './model.js';
export { allegroOptionsSchema, allegroSettings, type AllegroOptions, type AllegroSettings } from './options.js';
export { allegroLayer, allegroProduct, edgeEnergyBlock, shChannels, twoBodyBlock } from './layers.js';
