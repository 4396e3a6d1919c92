from perfeval.cli import main

main()
