// The 受理回执 printed for the applicant: its 打印回执 button prints the page with the body marked, and
// the print stylesheet (clerk-print.css) then leaves only the receipt on paper; the mark is taken off
// once printing is over, so the guide desk's slip prints by its own rules.
export const RECEIPT_PHRASES = {
  zh: { printReceipt: "打印回执" },
  en: { printReceipt: "Print receipt" },
};

export function bindReceiptPrint(button) {
  window.addEventListener("afterprint", () => { delete document.body.dataset.printing; });
  button.addEventListener("click", () => {
    document.body.dataset.printing = "receipt";
    window.print();
  });
}
