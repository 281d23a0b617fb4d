/** o3/ — see DESIGN.md §2. */
export {};
