/**
 * The process writing a score ('writing' status), so that opening the project can drop what a killed writer left
 * half-written without touching a score another live process is still writing. NULL for scores from before.
 */
export const up = `
ALTER TABLE scores ADD COLUMN writer_pid INTEGER;
`;
