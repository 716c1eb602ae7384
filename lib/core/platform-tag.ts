/**
 * The tag every resource of a platform carries (`ai-platform: <name>`). Its value never changes, so it is
 * the one tag that may reach node launch templates (a tag there rolls nodes) and the budget's cost filter.
 */
export const PLATFORM_TAG_KEY = 'ai-platform';
