/* true: exit with status 0 (arguments are ignored). */
int main(void) { return 0; }
