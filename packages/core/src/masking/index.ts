export {
  DEFAULT_MASK,
  type MaskedStream,
  type MaskingOptions,
  maskText,
  OutputMasker,
} from "./output-masker.js";
export { MIN_MASKED_RUN, type SecretForm, secretForms } from "./patterns.js";
