export declare const TRY_COMMANDS: readonly string[];
export declare function setupHint(): string;
