// Language server: being written.
export {};
