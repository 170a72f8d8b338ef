import './zod-config';
import { createApp } from 'vue';
import { createPinia } from 'pinia';
import App from './App.vue';
import { router } from './router';
import './styles.css';

import { client } from './client';

createApp(App).use(createPinia()).use(router).mount('#app');

// Desktop menu: File › New line opens the form; File › Import… the import of the line on screen.
client.onMenuCommand?.((command) => {
  if (command === 'new-line') void router.push({ path: '/lines', query: { new: '' } });
  else {
    const projectId = router.currentRoute.value.params.projectId;
    void router.push(typeof projectId === 'string' ? `/lines/${projectId}/import` : '/lines');
  }
});
