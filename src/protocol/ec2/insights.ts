// (being written)
import type { ActionTable } from "../actions.js";

export const INSIGHTS_ACTIONS: ActionTable = {};
