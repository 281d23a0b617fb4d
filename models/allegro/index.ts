/** models/allegro: the Allegro model builder (allegro 0.3's architecture). */
export { createAllegro } from './model.js';
export { allegroOptionsSchema, allegroSettings, type AllegroOptions, type AllegroSettings } from './options.js';
export { allegroFromRecord, allegroRecordFromDump, type NequipModelRecord, type ReferenceTensor } from './import.js';
export { allegroTensorTrack, allegroProduct, type TensorTrack, type AllegroProduct } from './tensor-track.js';
