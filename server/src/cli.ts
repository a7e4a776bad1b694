// CLI: being written.
process.stderr.write("relaylint CLI: not built yet\n");
process.exitCode = 2;
