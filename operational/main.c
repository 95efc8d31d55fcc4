/* Placeholder main while the daemon is being assembled. */
int main(void)
{
  return 0;
}
