/**
 * The fan-out's scope pattern is the pipeline contract's (`runtime/protocol/ScopePattern.ts`): one
 * parser, one meaning for the component, the Lambda's environment and the fan-out.
 */
export { ScopePattern, ScopePatternError } from "../../protocol/ScopePattern";
