/** Models and scores are stored by the store layer (SQL in one place): src-main/core/store/models.ts. */
export * from '../store/models';
