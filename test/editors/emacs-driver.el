;;; emacs-driver.el --- drive Eglot against the relaylint server in batch mode  -*- lexical-binding: t -*-
;; Loaded after the setup block of docs/editors.md. Opens $RELAYLINT_FILE (a weak GptTmpl.inf)
;; and $RELAYLINT_POM (a pom.xml, managed by the same server, so Eglot 1.9 sends it the same
;; language id), and writes what it saw as JSON to $RELAYLINT_OUT.
(require 'json)
(require 'flymake)

(defvar relaylint-result nil)
(defvar relaylint-published (make-hash-table :test 'equal))

(defun relaylint-put (key value) (setq relaylint-result (plist-put relaylint-result key value)))

(defun relaylint-finish (&optional code)
  (with-temp-file (getenv "RELAYLINT_OUT")
    (insert (json-encode relaylint-result)))
  (kill-emacs (or code 0)))

(defun relaylint-wait (pred seconds)
  (let ((deadline (+ (float-time) seconds)))
    (while (and (not (funcall pred)) (< (float-time) deadline))
      (accept-process-output nil 0.05))
    (funcall pred)))

;; Record every publishDiagnostics by URI (to see what the pom.xml got).
(advice-add 'eglot-handle-notification :before
            (lambda (_server method &rest params)
              (when (eq method 'textDocument/publishDiagnostics)
                (puthash (plist-get params :uri) (plist-get params :diagnostics) relaylint-published))))

(defun relaylint-diags ()
  (mapcar (lambda (d)
            (let ((lsp (cdr (assoc 'eglot-lsp-diag (eglot--diag-data d)))))
              (list :code (plist-get lsp :code)
                    :line (1- (line-number-at-pos (flymake-diagnostic-beg d)))
                    :col (save-excursion (goto-char (flymake-diagnostic-beg d)) (current-column))
                    :message (flymake-diagnostic-text d))))
          (sort (flymake-diagnostics) (lambda (a b) (< (flymake-diagnostic-beg a) (flymake-diagnostic-beg b))))))

(condition-case err
    (progn
      (find-file (getenv "RELAYLINT_FILE"))
      (relaylint-put :mode (symbol-name major-mode))
      (relaylint-put :coding (symbol-name buffer-file-coding-system))
      (unless (eglot-current-server) (apply #'eglot (eglot--guess-contact)))
      (unless (relaylint-wait (lambda () (eglot-current-server)) 20) (error "eglot did not connect"))
      (relaylint-put :languageId (eglot--language-id (eglot-current-server)))
      (unless (relaylint-wait (lambda () (flymake-diagnostics)) 20) (error "no diagnostics"))
      (relaylint-put :diagnostics (vconcat (relaylint-diags)))
      (let* ((first (car (sort (flymake-diagnostics) (lambda (a b) (< (flymake-diagnostic-beg a) (flymake-diagnostic-beg b))))))
             (beg (flymake-diagnostic-beg first))
             (end (flymake-diagnostic-end first)))
        (goto-char (1+ beg))
        (let ((hover (jsonrpc-request (eglot--current-server-or-lose) :textDocument/hover (eglot--TextDocumentPositionParams))))
          (relaylint-put :hover (plist-get (plist-get hover :contents) :value)))
        (let* ((actions (eglot-code-actions beg end))
               (preferred (seq-find (lambda (a) (eq (plist-get a :isPreferred) t)) actions)))
          (relaylint-put :actions (vconcat (mapcar (lambda (a) (plist-get a :title)) actions)))
          (unless preferred (error "no preferred code action"))
          (relaylint-put :applied (plist-get preferred :title))
          (eglot--apply-workspace-edit (plist-get preferred :edit))))
      (save-buffer)
      (relaylint-wait (lambda () (not (seq-find (lambda (d) (equal (plist-get d :code) "smb.server.require")) (relaylint-diags)))) 20)
      (relaylint-put :after (vconcat (relaylint-diags)))
      ;; The pom.xml: same server, same language id, and no diagnostics at all.
      (progn
        (find-file (getenv "RELAYLINT_POM"))
        (relaylint-put :pomMode (symbol-name major-mode))
        (relaylint-put :pomManaged (if (eglot-current-server) t :json-false))
        (let ((uri (eglot--path-to-uri (buffer-file-name))))
          (relaylint-wait (lambda () (not (eq (gethash uri relaylint-published 'none) 'none))) 20)
          (relaylint-put :pomPublished (let ((v (gethash uri relaylint-published 'none))) (if (eq v 'none) :json-false (vconcat v))))))
      (relaylint-finish 0))
  (error (relaylint-put :error (format "%S" err)) (relaylint-finish 1)))
