// Service-worker registration (vite-plugin-pwa) and the page's view of it: "ready to work offline" once everything
// is precached, and "a new version is ready" when a new build was installed. The new version takes over only when
// the user presses Reload, so nothing running is cut off; IndexedDB (runs, samples, trainings) is not touched.
import { registerSW } from 'virtual:pwa-register';
import { errorText } from '../../core/error-text.ts';

export class PwaState {
  /** A new build is installed and waiting. */
  needRefresh = $state(false);
  /** Everything in the precache list is stored: the page works with the server gone. */
  offlineReady = $state(false);
  /** Registration failed (e.g. an insecure origin): the page still works online. */
  error = $state<string | null>(null);
  supported = typeof navigator !== 'undefined' && 'serviceWorker' in navigator;
  private update: ((reloadPage?: boolean) => Promise<void>) | null = null;

  start(): void {
    if (!this.supported || this.update) return;
    this.update = registerSW({
      immediate: true,
      onNeedRefresh: () => (this.needRefresh = true),
      onOfflineReady: () => (this.offlineReady = true),
      onRegisterError: (e: unknown) => (this.error = `Offline support is off: ${errorText(e)}`),
    });
  }

  /** Activates the waiting version and reloads the page. */
  async reload(): Promise<void> {
    // workbox-window reloads only when this page was already controlled at registration; reload on any takeover.
    navigator.serviceWorker?.addEventListener('controllerchange', () => location.reload(), { once: true });
    await this.update?.(true);
  }
}
