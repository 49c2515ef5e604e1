// (being written)
import type { ActionTable } from "../actions.js";

export const TAG_ACTIONS: ActionTable = {};
