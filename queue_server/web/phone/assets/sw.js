/* The phone page's service worker: phones (Android Chrome) show notifications only through one.
   It caches nothing; a tap on the notification brings the ticket page back. */
self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));
self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const url = (event.notification.data && event.notification.data.url) || "/";
  event.waitUntil(
    self.clients.matchAll({ type: "window", includeUncontrolled: true }).then((list) => {
      for (const client of list) if (client.url === url && "focus" in client) return client.focus();
      return self.clients.openWindow(url);
    })
  );
});
