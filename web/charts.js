// ECharts (a classic script loaded before the modules) with the page's defaults: canvas,
// no animation (a printed or captured chart is complete), tooltips drawn in the canvas rather
// than as HTML (so no API text ever becomes markup, and no inline style is needed).
const live = new Set();
export const FONT = '"Noto Sans CJK SC", "WenQuanYi Zen Hei", "Microsoft YaHei", sans-serif';
export const COLORS = ['#1f4e79', '#d9822b', '#2e8b57', '#b03a2e', '#6c5b7b', '#4a90a4'];

export function chart(el, option) {
  const c = globalThis.echarts.init(el, null, { renderer: 'canvas' });
  c.setOption({
    animation: false,
    color: COLORS,
    textStyle: { fontFamily: FONT },
    ...option,
    tooltip: { trigger: 'axis', renderMode: 'richText', ...(option.tooltip || {}) },
  });
  live.add(c);
  return c;
}

export function disposeCharts() {
  for (const c of live) c.dispose();
  live.clear();
}

function resizeAll() {
  for (const c of live) c.resize();
}
window.addEventListener('resize', resizeAll);
window.addEventListener('beforeprint', resizeAll);
window.addEventListener('afterprint', resizeAll);

// A chart's box, drawn once the page is in the document (ECharts needs its size).
export function chartBox(root, option, cls = 'chart') {
  const el = document.createElement('div');
  el.className = cls;
  el.dataset.chart = '';
  (root.afterMount ||= []).push(() => chart(el, option));
  return el;
}
