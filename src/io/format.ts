/**
 * A model as plain data, apart from where its bytes go (as tfjs-core's io/ keeps model
 * artifacts apart from its save handlers): each file's bytes, by file name. Everything predict
 * needs, and nothing else:
 *   bugcat.json      manifest: format version, labels, hyperparameters, calibration,
 *                    training-data summary, SHA-256 of every other file
 *   model.json       the network in TensorFlow.js's layout: topology + weightsManifest
 *   weights.bin      the weights (tfjs binary format; the embedding may be float16- or uint8-quantized)
 *   vocabulary.json  the terms, in feature-id order
 *   fingerprints.bin the training reports' fingerprints (hashes, not text), so an evaluation can
 *                    tell which reports the model was trained on
 *   similar.bin      the training reports' ids, labels and cut, quantised TF-IDF vectors, to find
 *                    the ones most similar to a new report: optional (train's keepIndex)
 *   lookup.bin       the vocabulary's lookup tables, as prediction reads them (computed at save,
 *                    so that a load builds nothing that grows with the vocabulary)
 * store.ts writes them to a folder and reads them back; a service may keep them in memory.
 */
export type ModelArtifacts = Readonly<Record<string, Uint8Array>>;

/** The format name every manifest carries. */
export const FORMAT = 'bugcat-model';
/** The model format version this bugcat writes. Version 2 added ensembles (modelTopology.members); a version 1 model is one network. */
export const FORMAT_VERSION = 2;
/** The model format versions this bugcat reads. */
export const READABLE_VERSIONS: readonly number[] = [1, 2];
/** The manifest's file name. */
export const MANIFEST = 'bugcat.json';
/** The network's topology and weights manifest. */
export const MODEL = 'model.json';
/** The weights, in TensorFlow.js's binary layout. */
export const WEIGHTS = 'weights.bin';
/** The terms, in feature order. */
export const VOCABULARY = 'vocabulary.json';
/** The training reports' fingerprints (8 bytes each, little-endian, sorted): optional, absent from older models. */
export const FINGERPRINTS = 'fingerprints.bin';
/** The training reports' similarity index (io/similar-index.ts): optional, in models trained with keepIndex. */
export const SIMILAR = 'similar.bin';
/**
 * The vocabulary's lookup tables as prediction reads them (io/lookup.ts): optional, absent from
 * older models (which build them from the terms at load; older bugcats ignore the file).
 */
export const LOOKUP = 'lookup.bin';
/** Every file of a model. */
export const MODEL_FILES: readonly string[] = [MANIFEST, MODEL, WEIGHTS, VOCABULARY, FINGERPRINTS, SIMILAR, LOOKUP];
