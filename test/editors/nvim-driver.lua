-- Drives Neovim's built-in LSP client against the relaylint server, after the setup from
-- docs/editors.md has run (loaded with -u). Opened file: argv[1]. Writes what it saw as JSON to
-- $RELAYLINT_OUT and quits. Works on Neovim 0.7 (Debian stable) and later: no 0.8+ APIs.
local out = os.getenv('RELAYLINT_OUT')
local result = { steps = {} }

local function finish()
  vim.fn.writefile({ vim.fn.json_encode(result) }, out)
  vim.cmd('qall!')
end

-- Never hang: give up after 60 s with what we have.
vim.defer_fn(function()
  result.error = 'timeout'
  finish()
end, 60000)

local function step(name, fn)
  local ok, err = pcall(fn)
  table.insert(result.steps, name)
  if not ok then
    result.error = name .. ': ' .. tostring(err)
    finish()
    error(err)
  end
end

local get_clients = vim.lsp.get_clients or vim.lsp.get_active_clients

local function diagnostics(bufnr)
  local out = {}
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    table.insert(out, {
      code = d.code,
      lnum = d.lnum,
      col = d.col,
      end_lnum = d.end_lnum,
      end_col = d.end_col,
      severity = d.severity,
      message = d.message,
      data = d.user_data and d.user_data.lsp and d.user_data.lsp.data or vim.NIL,
    })
  end
  table.sort(out, function(a, b)
    return a.lnum < b.lnum
  end)
  return out
end

local bufnr = vim.api.nvim_get_current_buf()
local client

step('buffer', function()
  result.fileencoding = vim.bo.fileencoding
  result.bomb = vim.bo.bomb
  result.fileformat = vim.bo.fileformat
  result.filetype = vim.bo.filetype
end)

step('attach', function()
  assert(vim.wait(15000, function()
    for _, c in ipairs(get_clients()) do
      if c.name == 'relaylint' and c.initialized ~= false and vim.lsp.buf_is_attached(bufnr, c.id) then
        client = c
        return true
      end
    end
    return false
  end, 50), 'the relaylint client did not attach')
end)

step('diagnostics', function()
  assert(vim.wait(15000, function()
    return #vim.diagnostic.get(bufnr) > 0
  end, 50), 'no diagnostics arrived')
  result.diagnostics = diagnostics(bufnr)
end)

step('hover', function()
  local d = result.diagnostics[1]
  local resp = client.request_sync('textDocument/hover', {
    textDocument = { uri = vim.uri_from_bufnr(bufnr) },
    position = { line = d.lnum, character = d.col + 1 },
  }, 10000, bufnr)
  assert(resp and resp.result, 'no hover: ' .. vim.inspect(resp))
  result.hover = resp.result.contents.value
end)

step('code action', function()
  local d = result.diagnostics[1]
  local lsp_diagnostic = {
    range = { start = { line = d.lnum, character = d.col }, ['end'] = { line = d.end_lnum, character = d.end_col } },
    severity = d.severity,
    code = d.code,
    source = 'relaylint',
    message = d.message,
    data = d.data,
  }
  local resp = client.request_sync('textDocument/codeAction', {
    textDocument = { uri = vim.uri_from_bufnr(bufnr) },
    range = lsp_diagnostic.range,
    context = { diagnostics = { lsp_diagnostic } },
  }, 10000, bufnr)
  assert(resp and resp.result, 'no code actions: ' .. vim.inspect(resp))
  result.actions = {}
  local preferred
  for _, a in ipairs(resp.result) do
    table.insert(result.actions, a.title)
    if a.isPreferred then
      preferred = preferred or a
    end
  end
  assert(preferred, 'no preferred action')
  result.applied = preferred.title
  vim.lsp.util.apply_workspace_edit(preferred.edit, client.offset_encoding or 'utf-16')
end)

step('save', function()
  vim.cmd('write')
  -- The server pushes fresh diagnostics for the edited buffer.
  vim.wait(15000, function()
    for _, d in ipairs(vim.diagnostic.get(bufnr)) do
      if d.code == result.diagnostics[1].code then
        return false
      end
    end
    return true
  end, 50)
  result.after = diagnostics(bufnr)
end)

finish()
