from sanctuary.cli import main

main()
