import { onBeforeUnmount, ref, watch, type Ref } from 'vue';

/**
 * The height that lets a block end inside its scroll container's visible area with the page scrolled to the top:
 * from the block's top (`top`, in the container's content, scroll-independent) to the container's visible height,
 * less what must stay visible below it (`below`: the keys' line under the Ranking's table) and the container's
 * bottom padding; within [min, max]. So a focus inside the block (the note editor at the table's foot) never
 * scrolls the page and pushes the section's title under the top bar. `clientHeight` already excludes the status
 * dock: when the dock appears, the block shrinks with it.
 */
export function fitHeight(g: { readonly clientHeight: number; readonly top: number; readonly below: number; readonly paddingBottom: number; readonly min: number; readonly max: number }): number {
  const room = Math.floor(g.clientHeight - g.top - g.below - g.paddingBottom);
  return Math.min(g.max, Math.max(g.min, Number.isFinite(room) ? room : g.min));
}

/**
 * Keeps `height` at fitHeight for `block` inside its scroll container (the closest `main`), re-measured when the
 * container or `watch` (the block's section, whose parts above it can grow) resizes. `below`: the element that
 * must stay visible under the block, with the gap between them.
 */
export function useFitToView(block: Ref<HTMLElement | null>, watchEl: Ref<HTMLElement | null>, below: Ref<HTMLElement | null>, bounds: { min: number; max: number }): Ref<number | null> {
  const height = ref<number | null>(null);
  let observer: ResizeObserver | null = null;
  function measure(): void {
    const el = block.value;
    const main = el?.closest('main');
    if (!el || !main) return;
    const top = el.getBoundingClientRect().top - main.getBoundingClientRect().top - main.clientTop + main.scrollTop;
    const b = below.value;
    const under = b ? b.getBoundingClientRect().bottom - el.getBoundingClientRect().bottom : 0;
    const next = fitHeight({ clientHeight: main.clientHeight, top, below: Math.max(0, under), paddingBottom: parseFloat(getComputedStyle(main).paddingBottom) || 0, ...bounds });
    if (next !== height.value) height.value = next;
  }
  // The block may appear after mount (a section's content waits for its score): attach when it does.
  watch(
    [block, watchEl],
    ([el, w]) => {
      observer?.disconnect();
      observer = null;
      const main = el?.closest('main');
      if (!el || !main) return;
      observer = new ResizeObserver(() => measure());
      observer.observe(main);
      if (w) observer.observe(w);
      measure();
    },
    { flush: 'post', immediate: true },
  );
  onBeforeUnmount(() => observer?.disconnect());
  return height;
}
