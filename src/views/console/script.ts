/**
 * The console's only script, served at /admin/console.js: in a form with variants (a template's registration mode),
 * it shows the fields of the chosen variant only. Without it, all are shown and the chosen one counts.
 */
export const CONSOLE_SCRIPT = `
for (const group of document.querySelectorAll('[data-variants]')) {
  const name = group.getAttribute('data-variants');
  const sync = () => {
    const chosen = group.querySelector('input[type=radio]:checked');
    for (const part of group.querySelectorAll('[data-variant-of="' + name + '"]')) {
      part.hidden = !chosen || part.getAttribute('data-variant') !== chosen.value;
    }
  };
  group.addEventListener('change', sync);
  sync();
}
`;
