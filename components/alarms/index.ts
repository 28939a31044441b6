export { firstOccurrenceAlarm, type FirstOccurrenceAlarmArgs } from "./firstOccurrenceAlarm";
