export { ssmBoolean, ssmInteger, ssmList, type IntegerBounds } from "./ssmValues";
export { validateValue, deepFreeze, type ValidatedValue } from "./validateValue";
