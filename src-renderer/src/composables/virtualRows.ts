import { computed, type Ref } from 'vue';

/** Browsers cap an element's height (Chromium near 33.5M px): beyond this the scroll position is scaled. */
export const MAX_SPACER_PX = 15_000_000;

export interface VirtualGeometry {
  /** Rows in the list. */
  readonly total: number;
  /** Height of one row and of the header above the rows, px. */
  readonly rowH: number;
  readonly headH: number;
  /** Height of the scrolling box, px. */
  readonly viewH: number;
  readonly maxSpacerPx?: number;
}

/** What a virtualised list of `total` rows shows at a scroll position: pure arithmetic, no DOM. */
export function virtualWindow(g: VirtualGeometry, scrollTop: number) {
  const bodyH = Math.max(g.rowH, g.viewH - g.headH);
  const realH = g.total * g.rowH;
  const spacerH = Math.min(realH, g.maxSpacerPx ?? MAX_SPACER_PX);
  /** Scroll position → position in the full list (identity unless the spacer is capped). */
  const scale = spacerH > bodyH ? Math.max(0, realH - bodyH) / (spacerH - bodyH) : 1;
  const virtualTop = Math.min(Math.max(0, realH - bodyH), scrollTop * scale);
  const first = Math.floor(virtualTop / g.rowH);
  const count = Math.max(0, Math.min(g.total - first, Math.ceil(bodyH / g.rowH) + 1));
  return { bodyH, spacerH, scale, virtualTop, first, count };
}

/**
 * The scroll position that brings row `p` into view with the least movement from `virtualTop` (null: it is in view
 * already).
 */
export function scrollToShow(g: VirtualGeometry, virtualTop: number, p: number): number | null {
  const w = virtualWindow(g, 0);
  const top = p * g.rowH;
  let vt = virtualTop;
  if (top < vt) vt = top;
  else if (top + g.rowH > vt + w.bodyH) vt = top + g.rowH - w.bodyH;
  else return null;
  return vt / w.scale;
}

/** The virtual list as reactive state: a spacer as tall as all rows (capped and scaled), only the visible rows rendered. */
export function useVirtualRows(total: Ref<number>, viewH: Ref<number>, scrollTop: Ref<number>, rowH: number, headH: number) {
  const geometry = computed<VirtualGeometry>(() => ({ total: total.value, rowH, headH, viewH: viewH.value }));
  const win = computed(() => virtualWindow(geometry.value, scrollTop.value));
  const visible = computed(() => Array.from({ length: win.value.count }, (_, i) => win.value.first + i));
  return {
    bodyH: computed(() => win.value.bodyH),
    spacerH: computed(() => win.value.spacerH),
    virtualTop: computed(() => win.value.virtualTop),
    first: computed(() => win.value.first),
    visible,
    /** The scroll position showing row `p`, or null when it is in view. */
    scrollFor: (p: number): number | null => scrollToShow(geometry.value, win.value.virtualTop, p),
  };
}
