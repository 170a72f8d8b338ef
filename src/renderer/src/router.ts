import { createRouter, createWebHashHistory, type RouteRecordRaw } from 'vue-router';
import LinesView from './views/LinesView.vue';
import LineView from './views/LineView.vue';
import LineAlarmsView from './views/LineAlarmsView.vue';
import LineImportView from './views/LineImportView.vue';
import LineModelsView from './views/LineModelsView.vue';
import LineSettingsView from './views/LineSettingsView.vue';
import MachineView from './views/MachineView.vue';
import RecordingView from './views/RecordingView.vue';
import JobsView from './views/JobsView.vue';
import AboutView from './views/AboutView.vue';
import NotFoundView from './views/NotFoundView.vue';

/** Route params that are ids arrive as strings: the views get positive integers (or NaN → not found). */
const ids = (...names: string[]) => (route: { params: Record<string, string | string[]> }) =>
  Object.fromEntries(names.map((n) => [n, Number(route.params[n])]));

/**
 * Every screen is deep-linkable (hash history: the same renderer works from `file://` in Electron
 * and from `auscult serve`), back/forward work.
 */
export const routes: RouteRecordRaw[] = [
  { path: '/', redirect: '/lines' },
  { path: '/lines', name: 'lines', component: LinesView, meta: { title: 'Factory lines' } },
  { path: '/lines/:projectId(\\d+)', name: 'line', component: LineView, props: ids('projectId'), meta: { title: 'Line overview' } },
  { path: '/lines/:projectId(\\d+)/alarms', name: 'line-alarms', component: LineAlarmsView, props: ids('projectId'), meta: { title: 'Alarms' } },
  { path: '/lines/:projectId(\\d+)/import', name: 'line-import', component: LineImportView, props: ids('projectId'), meta: { title: 'Import' } },
  { path: '/lines/:projectId(\\d+)/models', name: 'line-models', component: LineModelsView, props: ids('projectId'), meta: { title: 'Models' } },
  { path: '/lines/:projectId(\\d+)/settings', name: 'line-settings', component: LineSettingsView, props: ids('projectId'), meta: { title: 'Line settings' } },
  { path: '/machines/:machineId(\\d+)', name: 'machine', component: MachineView, props: ids('machineId'), meta: { title: 'Machine' } },
  { path: '/recordings/:recordingId(\\d+)', name: 'recording', component: RecordingView, props: ids('recordingId'), meta: { title: 'Clip' } },
  { path: '/jobs', name: 'jobs', component: JobsView, meta: { title: 'Jobs' } },
  { path: '/about', name: 'about', component: AboutView, meta: { title: 'About' } },
  { path: '/:rest(.*)*', name: 'not-found', component: NotFoundView, meta: { title: 'Not found' } },
];

export const router = createRouter({ history: createWebHashHistory(), routes });

router.afterEach((to) => {
  document.title = `${String(to.meta.title ?? '')} · Auscult`.replace(/^ · /, '');
});
