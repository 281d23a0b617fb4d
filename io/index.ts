/** io/ — see DESIGN.md §2. */
export {};
