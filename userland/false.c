/* false: exit with status 1 (arguments are ignored). */
int main(void) { return 1; }
