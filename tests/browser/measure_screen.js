// The page's width against the screen's, and the visible actions whose centre is covered by something else
// (or lies off screen): what a tap there would miss. Run by Playwright's page.evaluate.
() => {
  const root = document.documentElement;
  const selector = "main a[href], main button, main input:not([type=hidden]), main select, main summary";
  const describe = (element) => (element.textContent || element.name || element.outerHTML.slice(0, 80)).trim().slice(0, 80);
  const covered = [];
  for (const element of document.querySelectorAll(selector)) {
    const box = element.getBoundingClientRect();
    if (box.width === 0 || box.height === 0 || !element.checkVisibility({visibilityProperty: true})) continue; // e.g. in a closed <details>
    element.scrollIntoView({block: "center", inline: "center", behavior: "instant"}); // Bootstrap scrolls smoothly otherwise
    const at = element.getClientRects()[0]; // a link wrapped over lines: its first line
    const x = at.left + at.width / 2;
    const y = at.top + at.height / 2;
    if (x < 0 || x > window.innerWidth) {
      covered.push("off screen: " + describe(element));
      continue;
    }
    const hit = document.elementFromPoint(x, y);
    const label = element.labels && element.labels[0];
    const reached = hit && (element === hit || element.contains(hit) || (label && (label === hit || label.contains(hit))));
    if (!reached) covered.push(describe(element));
  }
  window.scrollTo({top: 0, left: 0, behavior: "instant"});
  // A table scrolling sideways inside its box hides columns (a verdict, the Remove buttons) just as well.
  const scrolling = [...document.querySelectorAll("main .table-responsive")]
    .filter((box) => box.scrollWidth > box.clientWidth + 1)
    .map((box) => (box.querySelector("caption") || box).textContent.trim().slice(0, 80) + ` (${box.scrollWidth} > ${box.clientWidth} px)`);
  return {scrollWidth: root.scrollWidth, clientWidth: root.clientWidth, covered, scrolling};
}
